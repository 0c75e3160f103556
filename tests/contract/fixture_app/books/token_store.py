import json
from pathlib import Path

STORE = Path("token.json")


def load_token():
    return json.loads(STORE.read_text())


def save_token(token):
    STORE.write_text(json.dumps(token))
