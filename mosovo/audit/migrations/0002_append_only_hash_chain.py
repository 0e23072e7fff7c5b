"""Make the audit table append-only and hash-chained, in PostgreSQL itself.

- ``audit_chainhead`` holds the last position and hash of the chain (one row). The insert
  trigger locks it, so concurrent inserts take their places in the chain one at a time.
- ``audit_event_digest(row)`` is the SHA-256 of a row's content and its predecessor's hash;
  the insert trigger stores it and the nightly check recomputes it.
- UPDATE, DELETE and TRUNCATE on ``audit_auditevent`` raise an error, whoever asks.

In production the application connects as a role that may only SELECT and INSERT on the
audit table (``manage.py audit_app_role_sql``): it cannot disable these triggers either,
because only the table's owner can.
"""

from django.db import migrations

FORWARD = r"""
CREATE TABLE audit_chainhead (
    id smallint PRIMARY KEY CHECK (id = 1),
    seq bigint NOT NULL,
    hash varchar(64) NOT NULL
);
INSERT INTO audit_chainhead (id, seq, hash) VALUES (1, 0, repeat('0', 64));

CREATE FUNCTION audit_event_digest(e audit_auditevent) RETURNS varchar(64)
LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to(concat_ws(chr(31),
        e.seq::text,
        e.prev_hash,
        to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        coalesce(e.actor_id::text, '-'),
        e.actor_label,
        e.actor_role,
        e.action,
        e.channel,
        e.request_id,
        coalesce(host(e.client_ip), '-'),
        e.path,
        e.rso_ids::text,
        e.object_type,
        e.object_ids::text,
        e.fields::text,
        e.reason,
        e.recipient,
        e.outcome,
        e.flagged::text
    ), 'UTF8')), 'hex')
$$;

-- SECURITY DEFINER: the application's role needs no rights on the chain head; only this
-- function (owned by the migrating role) moves it.
CREATE FUNCTION audit_event_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    head_seq bigint;
    head_hash varchar(64);
BEGIN
    INSERT INTO audit_chainhead (id, seq, hash) VALUES (1, 0, repeat('0', 64)) ON CONFLICT (id) DO NOTHING;
    SELECT seq, hash INTO head_seq, head_hash FROM audit_chainhead WHERE id = 1 FOR UPDATE;
    NEW.seq := head_seq + 1;
    NEW.prev_hash := head_hash;
    NEW.hash := audit_event_digest(NEW);
    UPDATE audit_chainhead SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
    RETURN NEW;
END
$$;

CREATE FUNCTION audit_event_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % is not allowed on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_event_chain BEFORE INSERT ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_chain();
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_event_chain ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_refuse_change();
DROP FUNCTION IF EXISTS audit_event_chain();
DROP FUNCTION IF EXISTS audit_event_digest(audit_auditevent);
DROP TABLE IF EXISTS audit_chainhead;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_event")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
