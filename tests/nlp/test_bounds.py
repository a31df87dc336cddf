"""Content pieces around a cue clause: the pure offset arithmetic."""

from pipeline.nlp.bounds import content_pieces


def test_pieces_leave_out_the_cue_clause_and_its_separators():
    text = '"Yes," she said, "at once."'
    cue, speaker = (text.index("said"), text.index("said") + 4), (text.index("she"), text.index("she") + 3)
    first, second = content_pieces(text, 0, len(text), [cue, speaker])
    assert text[slice(*first)] == '"Yes,"' and text[slice(*second)] == '"at once."'


def test_a_clause_at_an_edge_or_outside_leaves_the_content_whole():
    text = "Rates will rise, he said."
    assert content_pieces(text, 0, 15, [(17, 19), (20, 24)]) == ()  # after the content
    assert content_pieces(text, 0, len(text), [(0, 5)]) == ()  # at its start
    assert content_pieces(text, 0, len(text), []) == ()
