"""Promotion events (招商活动 / 推介会) and the projects they sourced."""
