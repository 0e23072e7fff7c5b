"""Approved assessments and plan versions cannot be changed, by any writer.

The services refuse first, with a clear message; these triggers are the backstop for
every other writer (a shell, a bug, a future service). An approved plan's actions may
still have their ``status`` (progress) changed, and nothing else. The approval trail
(``arms_review``) is append-only.
"""

from django.db import migrations

SQL = """
CREATE FUNCTION arms_refuse_approved_assessment() RETURNS trigger AS $$
BEGIN
  IF OLD.status = 'APPROVED' THEN
    RAISE EXCEPTION 'ARMS assessment % is approved and cannot be changed', OLD.id USING ERRCODE = '23001';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER arms_assessment_immutable BEFORE UPDATE OR DELETE ON arms_assessment
  FOR EACH ROW EXECUTE FUNCTION arms_refuse_approved_assessment();

CREATE FUNCTION arms_refuse_approved_rating() RETURNS trigger AS $$
DECLARE
  parent integer;
BEGIN
  IF TG_OP = 'INSERT' THEN parent := NEW.assessment_id; ELSE parent := OLD.assessment_id; END IF;
  IF EXISTS (SELECT 1 FROM arms_assessment WHERE id = parent AND status = 'APPROVED') THEN
    RAISE EXCEPTION 'ARMS assessment % is approved: its ratings cannot be changed', parent USING ERRCODE = '23001';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER arms_rating_immutable BEFORE INSERT OR UPDATE OR DELETE ON arms_factorrating
  FOR EACH ROW EXECUTE FUNCTION arms_refuse_approved_rating();

CREATE FUNCTION arms_refuse_approved_plan() RETURNS trigger AS $$
BEGIN
  IF OLD.status = 'APPROVED' THEN
    RAISE EXCEPTION 'Plan version % is approved and cannot be changed', OLD.id USING ERRCODE = '23001';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER arms_plan_immutable BEFORE UPDATE OR DELETE ON arms_plan
  FOR EACH ROW EXECUTE FUNCTION arms_refuse_approved_plan();

CREATE FUNCTION arms_refuse_approved_action() RETURNS trigger AS $$
DECLARE
  parent integer;
BEGIN
  IF TG_OP = 'INSERT' THEN parent := NEW.plan_id; ELSE parent := OLD.plan_id; END IF;
  IF EXISTS (SELECT 1 FROM arms_plan WHERE id = parent AND status = 'APPROVED') THEN
    -- Progress on an approved plan is allowed: the status, and nothing else.
    IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - 'status') = (to_jsonb(OLD) - 'status') THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'Plan version % is approved: its actions cannot be changed', parent USING ERRCODE = '23001';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER arms_action_immutable BEFORE INSERT OR UPDATE OR DELETE ON arms_planaction
  FOR EACH ROW EXECUTE FUNCTION arms_refuse_approved_action();

CREATE FUNCTION arms_review_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'The approval trail is append-only' USING ERRCODE = '23001';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER arms_review_append_only BEFORE UPDATE OR DELETE ON arms_review
  FOR EACH ROW EXECUTE FUNCTION arms_review_append_only();
"""

REVERSE = """
DROP TRIGGER arms_review_append_only ON arms_review;
DROP FUNCTION arms_review_append_only();
DROP TRIGGER arms_action_immutable ON arms_planaction;
DROP FUNCTION arms_refuse_approved_action();
DROP TRIGGER arms_plan_immutable ON arms_plan;
DROP FUNCTION arms_refuse_approved_plan();
DROP TRIGGER arms_rating_immutable ON arms_factorrating;
DROP FUNCTION arms_refuse_approved_rating();
DROP TRIGGER arms_assessment_immutable ON arms_assessment;
DROP FUNCTION arms_refuse_approved_assessment();
"""


class Migration(migrations.Migration):
    dependencies = [("arms", "0002_factor_catalogue_v1")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
