"""The client's tracking link: which order a token opens, what the page may show, and what the client may leave.

A token opens exactly one order, until a dispatcher revokes it or a set time after delivery; a wrong, revoked
or expired token opens nothing, and the page says only that (it reveals nothing about why).
"""
