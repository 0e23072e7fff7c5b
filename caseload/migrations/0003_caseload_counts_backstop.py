"""The 20% rule as a database backstop, and trigram search.

``caseload_officercaseload`` holds, per officer, the active caseload (allocated RSOs not
DECEASED or NOTIFICATION_ENDED) and how many are HIGH or VERY_HIGH. Triggers on
``caseload_rso`` and ``caseload_capoverride`` keep it exact for any writer; its CHECK
constraint (5 x high <= total unless an override is open) makes a write that breaks the
rule fail. Two officers' rows are always updated in id order, so crossed transfers do
not deadlock.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

FORWARD = r"""
CREATE FUNCTION caseload_counts_apply(officer bigint, d_total integer, d_high integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF officer IS NULL OR (d_total = 0 AND d_high = 0) THEN
        RETURN;
    END IF;
    INSERT INTO caseload_officercaseload (officer_id, total, high, override_open)
    VALUES (officer, 0, 0, EXISTS (
        SELECT 1 FROM caseload_capoverride o WHERE o.officer_id = officer AND o.resolved_at IS NULL))
    ON CONFLICT (officer_id) DO NOTHING;
    UPDATE caseload_officercaseload
       SET total = total + d_total, high = high + d_high
     WHERE officer_id = officer;
END
$$;

CREATE FUNCTION caseload_rso_counts() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_officer bigint;
    new_officer bigint;
    old_total integer := 0;
    old_high integer := 0;
    new_total integer := 0;
    new_high integer := 0;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        old_officer := OLD.allocated_officer_id;
        IF OLD.status NOT IN ('DECEASED', 'NOTIFICATION_ENDED') THEN
            old_total := 1;
            IF OLD.risk_level IN ('HIGH', 'VERY_HIGH') THEN old_high := 1; END IF;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        new_officer := NEW.allocated_officer_id;
        IF NEW.status NOT IN ('DECEASED', 'NOTIFICATION_ENDED') THEN
            new_total := 1;
            IF NEW.risk_level IN ('HIGH', 'VERY_HIGH') THEN new_high := 1; END IF;
        END IF;
    END IF;
    IF old_officer IS NOT DISTINCT FROM new_officer THEN
        PERFORM caseload_counts_apply(new_officer, new_total - old_total, new_high - old_high);
    ELSIF old_officer IS NULL OR (new_officer IS NOT NULL AND new_officer < old_officer) THEN
        PERFORM caseload_counts_apply(new_officer, new_total, new_high);
        PERFORM caseload_counts_apply(old_officer, -old_total, -old_high);
    ELSE
        PERFORM caseload_counts_apply(old_officer, -old_total, -old_high);
        PERFORM caseload_counts_apply(new_officer, new_total, new_high);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER caseload_rso_counts AFTER INSERT OR UPDATE OF allocated_officer_id, status, risk_level OR DELETE
    ON caseload_rso FOR EACH ROW EXECUTE FUNCTION caseload_rso_counts();

CREATE FUNCTION caseload_override_counts() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    officer bigint;
BEGIN
    officer := COALESCE(NEW.officer_id, OLD.officer_id);
    INSERT INTO caseload_officercaseload (officer_id, total, high, override_open)
    VALUES (officer, 0, 0, false) ON CONFLICT (officer_id) DO NOTHING;
    UPDATE caseload_officercaseload
       SET override_open = EXISTS (
           SELECT 1 FROM caseload_capoverride o WHERE o.officer_id = officer AND o.resolved_at IS NULL)
     WHERE officer_id = officer;
    RETURN NULL;
END
$$;

CREATE TRIGGER caseload_override_counts AFTER INSERT OR UPDATE OR DELETE
    ON caseload_capoverride FOR EACH ROW EXECUTE FUNCTION caseload_override_counts();

CREATE INDEX caseload_rso_name_trgm ON caseload_rso
    USING gin ((lower(family_name || ' ' || given_names)) gin_trgm_ops);
CREATE INDEX caseload_alias_name_trgm ON caseload_alias USING gin ((lower(name)) gin_trgm_ops);
"""

BACKWARD = r"""
DROP INDEX IF EXISTS caseload_alias_name_trgm;
DROP INDEX IF EXISTS caseload_rso_name_trgm;
DROP TRIGGER IF EXISTS caseload_override_counts ON caseload_capoverride;
DROP FUNCTION IF EXISTS caseload_override_counts();
DROP TRIGGER IF EXISTS caseload_rso_counts ON caseload_rso;
DROP FUNCTION IF EXISTS caseload_rso_counts();
DROP FUNCTION IF EXISTS caseload_counts_apply(bigint, integer, integer);
"""


class Migration(migrations.Migration):
    dependencies = [("caseload", "0002_caseload_records")]

    operations = [TrigramExtension(), migrations.RunSQL(FORWARD, BACKWARD)]
