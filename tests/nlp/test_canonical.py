from pipeline.nlp.canonical import alias, canonical_names


def test_surname_resolves_to_the_full_name():
    names = canonical_names([("Jake Sullivan", "PERSON"), ("Sullivan", "PERSON"), ("Sullivan's", "PERSON")])
    assert names[("Sullivan", "PERSON")] == "Jake Sullivan"
    assert names[("Sullivan's", "PERSON")] == "Jake Sullivan"


def test_mislabelled_lone_surname_still_reaches_the_person():
    names = canonical_names([("Hossein Amirabdollahian", "PERSON"), ("Amirabdollahian", "NORP")])
    assert names[("Amirabdollahian", "NORP")] == "Hossein Amirabdollahian"


def test_well_known_short_forms():
    assert alias("the US") == "United States" and alias("U.S.") == "United States"
    names = canonical_names([("US", "GPE"), ("Iran", "GPE")])
    assert names[("US", "GPE")] == "United States" and names[("Iran", "GPE")] == "Iran"


def test_different_people_with_other_surnames_stay_apart():
    names = canonical_names([("Joe Biden", "PERSON"), ("Hunter", "PERSON")])
    assert names[("Hunter", "PERSON")] == "Hunter"
