"""The one Piccolo app holding every table. Each module of this package is a domain; all are registered."""

import os
import pkgutil

from piccolo.conf.apps import AppConfig, table_finder

HERE = os.path.dirname(os.path.abspath(__file__))
DOMAIN_MODULES = sorted(
    f"tables.{info.name}" for info in pkgutil.iter_modules([HERE])
    if info.name not in {"piccolo_app", "piccolo_migrations"}
)

APP_CONFIG = AppConfig(
    app_name="waybill",
    migrations_folder_path=os.path.join(HERE, "piccolo_migrations"),
    table_classes=table_finder(modules=DOMAIN_MODULES, exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
