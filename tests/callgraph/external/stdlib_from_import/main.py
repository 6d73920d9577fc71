from json import dumps

dumps({})
