"""Orchestrator: AskOperator questions and answers recorded as git notes."""
