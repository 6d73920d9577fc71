from thirdparty import Client

client = Client()
client.fetch()
