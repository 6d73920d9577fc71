import json as j

j.loads("{}")
