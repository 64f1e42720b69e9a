"""The CRM: counterparties, contacts, and the managers' work with them."""
