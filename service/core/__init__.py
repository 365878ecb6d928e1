"""The decision core: answers read and checked, the rulebook loaded and checked, the durable_rules
engine, and resolution into a result. No Flask, and nothing from the other layers."""
