"""The courier's offline sync (see /work/shared/docs/sync-protocol.md).

- `push`: apply a phone's outbox exactly once, in order, in one transaction per push (`app.sync.push`);
- `handlers`: one plain function per mutation name and schema version, with the conflict rules;
- `changes`: the version counter and change log phones pull; `record_change()` is what every other domain
  calls inside its write transaction when a route, stop or order changes;
- `pull`: the courier's scope (routes, stops, orders for today and tomorrow) since a cursor, with tombstones;
- `blobs`: proof-of-delivery photos and signatures addressed by their SHA-256;
- `board`: what dispatch sees of the couriers' field work ("delivered, photo uploading");
- `shift`: the end-of-shift cash summary and the courier's sync problems.
"""
