"""Planning a depot's day with the optimizer: build the problem from the database (`problem`), run it in a
worker's child process (`solving`, `jobs`), show the answer beside today's routes (`proposal`), and write the
accepted routes (`accept`).

Kept import-light: the solve's child process imports `app.planning.solving` only.
"""
