"""Reports for dispatch, administration and accounting: how each courier and each carrier did over a period."""
