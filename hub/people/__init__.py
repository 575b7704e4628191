"""Researchers (人员): creators linked into people across members, with evidence and decisions.

:mod:`hub.people.names` (name forms, pinyin), :mod:`hub.people.features` (what an authorship is compared
on, its blocks), :mod:`hub.people.evidence` (the pairwise rule), :mod:`hub.people.cluster` (constrained
union-find), :mod:`hub.people.store` (bulk SQL), :mod:`hub.people.researchers` (researcher rows),
:mod:`hub.people.linking` (:func:`~hub.people.linking.relink`, the people stage) and
:mod:`hub.people.decisions` (splits and joins).
"""
