"""Piccolo tables, one module per domain. Migrations live in tables/piccolo_migrations/ and are committed."""
