"""Dispatch: the day's orders, routes and stops as dispatchers and couriers see them."""
