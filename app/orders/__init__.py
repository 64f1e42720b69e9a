"""Orders: what clients ask us to carry, their prices and their status."""
