"""The accountant's desk: cash on delivery expected and brought back today."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Template

from app.accounts.roles import ACCOUNTANT, ADMIN
from app.dispatch.day import cash_expected_by_courier, company_today
from app.security import allow
from app.templating import page


class FinanceController(Controller):
    path = "/finance"
    opt = allow(ACCOUNTANT, ADMIN)
    include_in_schema = False

    @get("/")
    async def show_cash(self) -> Template:
        today = company_today()
        return page("finance/cash.html", day=today, rows=await cash_expected_by_courier(today))


HANDLERS = [FinanceController]
