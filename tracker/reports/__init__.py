"""Delay statistics: CEPEJ and CourTools measures per country and kind of proceeding."""
