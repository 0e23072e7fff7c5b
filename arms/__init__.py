"""ARMS assessments (7 risk and 5 protective factors) and risk management plans, with sergeant approval."""
