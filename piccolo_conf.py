"""Piccolo's engine: PostgreSQL when DATABASE_URL names one, else the embedded SQLite file under the data dir."""

from piccolo.conf.apps import AppRegistry

from app.db import make_engine

DB = make_engine()

APP_REGISTRY = AppRegistry(apps=["tables.piccolo_app"])
