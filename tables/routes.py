"""Routes: a courier's day as an ordered list of stops with planned times."""

from piccolo.columns import Boolean, Date, DoublePrecision, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.table import Table

from tables.fleet import Courier, Depot, Vehicle
from tables.orders import Order


class Route(Table):
    courier = ForeignKey(Courier, index=True)
    vehicle = ForeignKey(Vehicle, null=True)
    depot = ForeignKey(Depot, null=True)
    day = Date(index=True)
    planned_km = DoublePrecision(default=0.0)
    planned_minutes = Integer(default=0)
    planned_cost = Integer(default=0)
    status = Varchar(length=20, default="planned")


class Stop(Table):
    route = ForeignKey(Route, index=True)
    order = ForeignKey(Order, index=True)
    kind = Varchar(length=10, default="dropoff")  # pickup | dropoff
    sequence = Integer()
    planned_eta = Timestamptz(null=True, default=None)
    arrived_at = Timestamptz(null=True, default=None)
    departed_at = Timestamptz(null=True, default=None)
    locked = Boolean(default=False)
