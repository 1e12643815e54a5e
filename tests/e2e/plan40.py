#!/usr/bin/env python3
"""Writes a 40-action progress plan with long updates (deterministic): the
sample Harwood plan with every update lengthened and most actions without
a progress figure, as real plans are. Usage: plan40.py OUT.json"""
import json, sys, os

here = os.path.dirname(os.path.abspath(__file__))
src = os.path.join(here, "..", "..", "samples", "progress-harwood-action-plan.json")
d = json.load(open(src, encoding="utf-8"))
extra = [
    "The service manager reports that the revised arrangements have been "
    "implemented in every locality and are monitored weekly at the "
    "performance clinic chaired by the Director of Children's Services.",
    "Audits in August and September found that the information recorded "
    "was proportionate, although the voice of the child was not always "
    "evident; practice standards have been reissued to every team.",
    "Partners from health, police and education have agreed the revised "
    "escalation protocol, which was implemented on 1 September; a "
    "follow-up review is planned for the spring.",
]
for i, a in enumerate(d["action_plan"]["actions"]):
    a["update"] = (a.get("update") or "") + " " + extra[i % 3] + " " + extra[(i + 1) % 3]
    if i % 5:
        a.pop("progress", None)
json.dump(d, open(sys.argv[1], "w", encoding="utf-8"), ensure_ascii=False, indent=1)
