"""Security tests of issue 14: what an attacker on the open internet and a member administrator can do."""
