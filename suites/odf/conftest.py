"""ODF provisioning: the schemas, the generated corpus, and the candidate's round trips.

Round trips are run once per source document and shared by the checks that examine them.
Settings are read from ``[settings.odf]`` (see ``runner.py``); nothing here names a product.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conformance.api import CandidateContext, current_evidence
from suites.odf.corpus import SourceDocument, build_corpus
from suites.odf.corpus_types import build_type_corpus
from suites.odf.runner import RoundTrip, command_for, convert, limits_of, undeclared
from suites.odf.schemas import SchemaSource
from suites.odf.validate import validate_bytes


@pytest.fixture(scope="session")
def odf_schemas() -> SchemaSource:
    return SchemaSource()


@pytest.fixture(scope="session")
def corpus(pytestconfig: pytest.Config) -> dict[str, SourceDocument]:
    seed = getattr(pytestconfig.option, "hypothesis_seed", None) or 0
    documents = [*build_corpus(int(seed)), *build_type_corpus()]
    return {document.name: document for document in documents}


@pytest.fixture(scope="session")
def corpus_files(
    corpus: dict[str, SourceDocument], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("odf-corpus")
    files = {}
    for name, document in corpus.items():
        path = directory / f"{name}.{document.extension}"
        path.write_bytes(document.data)
        files[name] = path
    return files


@pytest.fixture(scope="session")
def roundtrip(
    candidate: CandidateContext,
    corpus: dict[str, SourceDocument],
    corpus_files: dict[str, Path],
    odf_schemas: SchemaSource,
) -> Callable[[str], RoundTrip]:
    done: dict[str, RoundTrip] = {}
    limits = limits_of(candidate)

    def get(name: str) -> RoundTrip:
        if name not in done:
            source = corpus[name]
            template = command_for(candidate, "roundtrip", source.kind)
            if template is None:
                done[name] = RoundTrip(source, None, None, None)
            else:
                conversion = convert(
                    candidate, template, f"settings.odf.roundtrip.{source.kind}",
                    corpus_files[name], source.extension,
                )
                data = conversion.output.read_bytes() if conversion.output else None
                validation = (
                    validate_bytes(data, f"{name} saved by {candidate.id}", odf_schemas,
                                   limits)
                    if data is not None else None
                )
                done[name] = RoundTrip(source, conversion, data, validation, limits)
        result = done[name]
        if result.conversion is None:
            undeclared("roundtrip", result.source.kind,
                       f"opening and saving {result.source.kind} documents")
        log = current_evidence()
        if log is not None:
            log.note(f"round trip of {name}: {result.describe()}")
        return result

    return get
