"""Adapters below the engine: each turns one input into normalized `Resource`s and never imports the engine.

    hcl     the configuration evaluated per environment by tfparse (static gate)
"""
