"""Function words of a question: they never decide the ranking and are never highlighted.

People type questions (``wat moet een wethouder weten over pleegzorg``, ``wonen na je 18e``).
Nothing is dropped from the index (``uit huis geplaatst`` and every negation need their small
words), but in a query a word listed here is left out when the query has other words: it is not
required, does not score and is not marked in snippets. A query of function words alone
(``wie is er``) is searched as typed. Quoted phrases and multi-word terms from the vocabulary
(``Raad voor de Kinderbescherming``) keep them.

Kept out of this list on purpose, because they carry meaning in this field: *uit*, *niet*,
*geen*, *zonder*, *tegen*, *thuis*, *alleen*, *samen*, *eerst*, *lang*.
"""

from __future__ import annotations

#: Normalized (lowercase, folded) words.
FUNCTION_WORDS = frozenset("""
    de het een en of van voor in op aan met bij naar over onder tussen door om te tot na als
    dan dat die dit deze wat wie waar wanneer waarom hoe welke welk wiens is zijn ben bent was
    waren wordt worden werd werden kan kun kunt kunnen moet moeten mag mogen wil wilt willen
    zou zouden zal zullen heeft hebben heb hebt had hadden je jij jou jouw jullie u uw ik mij me
    mijn we wij ons onze ze zij hun hen hij hem haar er hier daar ook nog al wel maar toch zo
    dus want omdat eens even iets iemand men doe doet doen gaat gaan ga weten weet vinden vind
    vindt eigenlijk precies goed graag meer veel welke af toe mee help helpt helpen krijg
    krijgt krijgen
    the a an of for and or to in on at with about after before from what how why who which
    when where is are was were do does did can could should would will my your our their
    me i we they it this that these those
""".split())


def is_function_word(word: str) -> bool:
    """Whether a normalized query word is a function word."""
    return word in FUNCTION_WORDS
