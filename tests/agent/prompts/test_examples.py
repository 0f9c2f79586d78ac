"""expert_examples names each action as it was listed when the expert took it."""

import json

from agent.prompts.examples import expert_examples


class ShiftingListEnv:
    """Two steps to success; the action list is different at every step (as ALFWorld's admissible commands)."""

    LISTS = (["look", "go to desk 1"], ["take pen 1 from desk 1", "go to bed 1", "look"])

    def reset(self, seed):
        self.t = 0
        return {"instruction": "get the pen"}, self._info()

    def step(self, action):
        self.t += 1
        info = self._info()
        return {"instruction": "get the pen"}, 0.0, self.t == 2, False, info

    def _info(self):
        done = self.t == 2
        return {"action_names": self.LISTS[min(self.t, 1)], "expert_action": None if done else (1, 0)[self.t],
                "task_success": float(done)}


def test_names_come_from_the_list_at_each_step():
    (example,) = expert_examples(ShiftingListEnv(), 1, seed=0)
    reply = json.loads(example.split("Output: ", 1)[1])
    assert reply["executable_plan"] == [{"action_id": 1, "action_name": "go to desk 1"},
                                        {"action_id": 0, "action_name": "take pen 1 from desk 1"}]
    assert reply["language_plan"] == "go to desk 1; take pen 1 from desk 1"
