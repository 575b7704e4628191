"""Tests of ResourceSync: the hub as a source and as a harvester."""
