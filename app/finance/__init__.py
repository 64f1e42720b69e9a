"""Finance: cash collected by couriers, payments and expenses."""
