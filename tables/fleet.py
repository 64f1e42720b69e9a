"""The fleet: depots, vehicles and the couriers who drive them."""

from piccolo.columns import Boolean, DoublePrecision, ForeignKey, Integer, OnDelete, Time, Timestamptz, Varchar
from piccolo.table import Table

from tables.accounts import User
from tables.counterparties import Counterparty


class Depot(Table):
    name = Varchar(length=100)
    address = Varchar(length=300, default="")
    lat = DoublePrecision()
    lon = DoublePrecision()


class Vehicle(Table):
    name = Varchar(length=100)
    plate = Varchar(length=20, default="")
    vehicle_type = Varchar(length=20, default="van")  # bike | car | van | truck
    capacity_kg = DoublePrecision(default=0.0)
    capacity_m3 = DoublePrecision(default=0.0)
    cost_per_km = Integer(default=0)  # minor units
    cost_per_hour = Integer(default=0)
    fixed_cost = Integer(default=0)
    currency = Varchar(length=3, default="EUR")
    depot = ForeignKey(Depot, null=True)
    is_active = Boolean(default=True)


class Courier(Table):
    user = ForeignKey(User, unique=True, index=True)
    vehicle = ForeignKey(Vehicle, null=True)
    depot = ForeignKey(Depot, null=True)
    # The subcontracted carrier (a counterparty with the carrier role) the courier works for; None: own staff.
    carrier = ForeignKey(Counterparty, null=True, default=None, index=True, on_delete=OnDelete.set_null)
    shift_start = Time()
    shift_end = Time()
    is_active = Boolean(default=True)
    # The last position a phone reported (the sync writes it); the board shows it.
    last_lat = DoublePrecision(null=True, default=None)
    last_lon = DoublePrecision(null=True, default=None)
    last_seen_at = Timestamptz(null=True, default=None)
