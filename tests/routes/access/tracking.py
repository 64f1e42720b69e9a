"""Who may open the tracking pages: anyone with the link (the token is the key)."""

from tests.routes.access import EVERYONE

RULES = {
    ("GET", "/t/{token:str}"): EVERYONE,
    ("POST", "/t/{token:str}/instructions"): EVERYONE,
    ("POST", "/t/{token:str}/rating"): EVERYONE,
    ("GET", "/t/{token:str}/proof-photo"): EVERYONE,
    ("POST", "/t/{token:str}/push"): EVERYONE,
    ("GET", "/api/v1/track/{token:str}"): EVERYONE,
}
