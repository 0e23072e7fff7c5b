"""The sergeant's dashboard, approvals queue, formal supervision sessions and plan-quality audits."""
