"""Monitoring asks /health whether the database and the broker answer."""


async def test_health_reports_the_database_and_the_broker(client):
    response = await client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["broker"].endswith(" ok")


async def test_the_service_worker_is_served_from_the_root_with_its_scope(client):
    response = await client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["service-worker-allowed"] == "/"
    assert "text/javascript" in response.headers["content-type"]
    manifest = await client.get("/manifest.webmanifest")
    assert manifest.json()["display"] == "standalone"


async def test_pages_are_sent_compressed_to_browsers_that_accept_it(client, signed_in):
    await signed_in("admin")
    response = await client.get("/admin/audit", headers={"accept-encoding": "gzip"})
    assert response.headers.get("content-encoding") == "gzip"
    assert "Audit log" in response.text
