"""A stand-in for EB-Habitat's simulator, with the backend surface ``envs.habitat.simulator`` names.

It is NOT habitat: there is no physics, no rendering (frames are flat colours) and no ReplicaCAD. It
keeps the symbolic state the shipped PDDL domain talks about (where the robot is, what it holds, where
each object is, which articulated receptacles are open) and applies the domain's preconditions:
``nav`` always works; ``pick`` needs empty hands, the robot at the object's receptacle, and that
receptacle not closed; ``place`` needs something held and the robot at the receptacle; ``open_*`` and
``close_*`` need the robot at the push point and the opposite state. Success is every goal
``(category, receptacle)`` pair holding; progress is the fraction of goals ever reached (latched, as
EB's ``task_progress``). It also reports the skill list as a real simulator would, so the env's
check against the generated list is exercised.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from envs.habitat.skills import Skill, skills

FRIDGE = "receptacle_aabb_middle_topfrl_apartment_refrigerator"
TABLE_1 = "receptacle_aabb_Tbl1_Top1_frl_apartment_table_01"
SOFA = "receptacle_aabb_Sofa_frl_apartment_sofa"
SINK = "receptacle_aabb_sink_kitchen_counter"


@dataclass
class FakeEpisode:
    instruction: str
    objects: dict[str, str]  # category -> receptacle
    goals: list[tuple[str, str]]  # (category, receptacle) that must hold at the end
    episode_id: str = "0"


@dataclass
class FakeBackend:
    episodes: list[FakeEpisode]
    resolution: int = 16
    skill_list: tuple[Skill, ...] = field(default_factory=skills)
    calls: list = field(default_factory=list)  # what the env asked for, for the tests to read

    @property
    def skill_datas(self):
        return [(s.action, list(s.args)) for s in self.skill_list]

    @property
    def num_episodes(self) -> int:
        return len(self.episodes)

    def reset(self, index: int):
        self.calls.append(("reset", index))
        ep = self.episodes[index]
        self.ep, self.objects, self.at, self.held = ep, dict(ep.objects), None, None
        self.opened = {"fridge_push_point": False}  # the fridge starts closed, as in EB's episodes
        self.reached: set[int] = set()
        return self._frame(), {"lang_goal": ep.instruction, "episode_id": ep.episode_id,
                               "num_subgoals": len(ep.goals)}

    def step(self, action_id: int):
        self.calls.append(("step", action_id))
        ok = self._apply(self.skill_list[action_id])
        done = [i for i, (cat, recep) in enumerate(self.ep.goals) if self.objects.get(cat) == recep]
        self.reached.update(done)
        return self._frame(), {"was_prev_action_invalid": not ok,
                               "predicate_task_success": len(done) == len(self.ep.goals),
                               "task_progress": len(self.reached) / len(self.ep.goals)}

    def _apply(self, s: Skill) -> bool:
        if s.kind == "nav":
            self.at = s.args[0]
            return True
        if s.kind == "pick":
            recep = self.objects.get(s.target)
            closed = recep == FRIDGE and not self.opened["fridge_push_point"]
            if self.held or recep is None or recep != self.at or closed:
                return False
            self.held = s.target
            del self.objects[s.target]
            return True
        if s.kind == "place":
            if self.held is None or self.at != s.args[0]:
                return False
            self.objects[self.held], self.held = s.args[0], None
            return True
        want_open = s.kind == "open"
        point = s.args[0]
        if self.at != point or self.opened.get(point, False) == want_open:
            return False
        self.opened[point] = want_open
        return True

    def _frame(self) -> np.ndarray:
        shade = 40 * (len(self.objects) % 6)  # changes when something is picked or placed
        return np.full((self.resolution, self.resolution, 3), shade, np.uint8)
