"""The 70 EB-Habitat skills come out of the shipped PDDL domain, in EB's id order, with EB's words."""

import yaml

from envs.habitat import skills as sk


def test_exactly_70_skills_generated_from_the_domain():
    out = sk.generate()
    assert len(out) == sk.N_SKILLS == 70
    kinds = [s.kind for s in out]
    assert [kinds.count(k) for k in ("nav", "pick", "place", "open", "close")] == [16, 33, 11, 5, 5]
    assert len({s.text for s in out}) == 70 and len({s.pddl for s in out}) == 70


def test_ids_match_the_ones_eb_examples_use():
    # ids confirmed by EmbodiedBench's habitat_examples.json (see shared/reference/embodiedbench.md 2.2)
    names = [s.text for s in sk.skills()]
    assert names[6:14] == ["navigate to the table 1", "navigate to the table 2", "navigate to the TV stand",
                           "navigate to the sink in the kitchen", "navigate to the right counter in the kitchen",
                           "navigate to the left counter in the kitchen", "navigate to the sofa",
                           "navigate to the refrigerator"]
    assert (names[21], names[33], names[47]) == ("pick up the scissors", "pick up the apple",
                                                 "pick up the toy airplane")
    assert (names[50], names[56], names[61]) == ("place at the table 1", "place at the sofa", "close the refrigerator")
    assert names[0] == "navigate to the cabinet 7" and names[4] == "navigate to the refrigerator push point"
    assert names[62:70] == [f"{v} the cabinet {n}" for v in ("open", "close") for n in (7, 6, 5, 4)]
    assert sk.skills()[47].pddl == "pick_toy airplane(robot_0)"


def test_the_list_follows_the_domain_not_a_table(tmp_path):
    cats = yaml.safe_load(sk.CATEGORIES_FILE.read_text())
    cats["all_cats"] = cats["all_cats"][:-1]  # one category fewer: one pick skill fewer
    cats["all_receps"] = cats["all_receps"][1:]  # one receptacle fewer: one nav and one place fewer
    f = tmp_path / "cats.yaml"
    f.write_text(yaml.safe_dump(cats, sort_keys=False))
    out = sk.generate(categories_file=f)
    assert len(out) == 70 - 3 and "pick up the wrench" not in {s.text for s in out}
    domain = yaml.safe_load(sk.DOMAIN_FILE.read_text())
    domain["constants"] = [c for c in domain["constants"] if c["name"] != "cab_push_point_4"]
    d = tmp_path / "domain.yaml"
    d.write_text(yaml.safe_dump(domain, sort_keys=False))  # key order is meaning here
    assert len(sk.generate(domain_file=d)) == 70 - 3  # nav, open and close of cabinet 4


def test_last_listed_parent_wins_as_in_habitat_lab():
    domain = sk.Domain(yaml.safe_load(sk.DOMAIN_FILE.read_text()), [], [])
    assert domain.parent["art_receptacle_entity_type"] == "nav_receptacle"
    assert domain.is_a("cab_type", "nav_receptacle") and not domain.is_a("cab_type", "place_receptacle")
