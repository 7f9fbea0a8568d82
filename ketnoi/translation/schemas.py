from ninja import Schema


class TermOut(Schema):
    id: int
    concept_id: int
    concept: str
    domain: str
    language: str
    text: str
    status: str
    part_of_speech: str
    note: str

    @staticmethod
    def resolve_concept(obj):
        return obj.concept.code

    @staticmethod
    def resolve_domain(obj):
        return obj.concept.domain

    @staticmethod
    def resolve_language(obj):
        return obj.language.bcp47


class ConceptTermOut(Schema):
    language: str
    text: str
    status: str
    part_of_speech: str
    note: str

    @staticmethod
    def resolve_language(obj):
        return obj.language.bcp47


class ConceptOut(Schema):
    id: int
    code: str
    domain: str
    subject: str
    definition: str
    note: str
    terms: list[ConceptTermOut]

    @staticmethod
    def resolve_terms(obj):
        return list(obj.terms.all())


class SuggestionOut(Schema):
    score: int
    source_text: str
    target_text: str
    origin: str
    scope: str
    scope_name: str = ""
    entry_id: int | None = None


class TermEntryOut(Schema):
    text: str
    language: str
    status: str
    concept_id: int


class TermHitOut(Schema):
    start: int
    end: int
    text: str
    term: str
    status: str
    concept_id: int
    targets: list[TermEntryOut]


class ImportOut(Schema):
    filename: str
    units: int
    created: int
    unchanged: int
    updated: int
    skipped: int
