from thirdparty import transform

transform(1)
