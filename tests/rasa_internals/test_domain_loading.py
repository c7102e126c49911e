"""A model's domain read once is the domain Rasa reads four times."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.graph_components.providers.domain_provider import DomainProvider
from rasa.shared.core.domain import Domain
from rasa.shared.importers.importer import TrainingDataImporter

from confidant.rasa_internals import domain_loading
from confidant.settings import PROJECT_ROOT


@pytest.fixture
def persisted(tmp_path: Path) -> tuple[LocalModelStorage, Resource]:
    """The project's domain as training persists it into a model."""
    (tmp_path / "storage").mkdir()
    storage = LocalModelStorage(tmp_path / "storage")
    resource = Resource("domain_provider")
    context = ExecutionContext(GraphSchema({}), "test")
    provider = DomainProvider.create({}, storage, resource, context)
    importer = TrainingDataImporter.load_from_config(
        str(PROJECT_ROOT / "config.yml"), str(PROJECT_ROOT / "domain.yml"), [str(PROJECT_ROOT / "data")]
    )
    provider.provide_train(importer)
    return storage, resource


def load_both(storage: LocalModelStorage, resource: Resource) -> tuple[Domain, Domain]:
    context = ExecutionContext(GraphSchema({}), "test")
    rasas = domain_loading.rasas_load()(DomainProvider, {}, storage, resource, context).provide_inference()
    domain_loading.install()
    domain_loading.install()  # idempotent
    ours = DomainProvider.load({}, storage, resource, context).provide_inference()
    return ours, rasas


def test_the_projects_domain_loads_as_rasa_loads_it(persisted: tuple[LocalModelStorage, Resource]) -> None:
    ours, rasas = load_both(*persisted)
    assert len(rasas.responses) > 100 and rasas.forms
    assert ours.as_dict() == rasas.as_dict()
    assert ours.fingerprint() == rasas.fingerprint()
    assert ours.action_names_or_texts == rasas.action_names_or_texts


def test_a_folder_holding_more_than_the_domain_goes_rasas_way(
    persisted: tuple[LocalModelStorage, Resource], monkeypatch: pytest.MonkeyPatch
) -> None:
    storage, resource = persisted
    with storage.write_to(resource) as folder:
        (folder / "more.yml").write_text("version: '3.1'\nintents:\n- extra_intent\n", encoding="utf-8")
    ours, rasas = load_both(storage, resource)
    assert "extra_intent" in rasas.intents and ours.as_dict() == rasas.as_dict()


def test_rasas_graph_validation_reads_the_same_signature() -> None:
    from rasa.engine.validation import _get_parameter_information

    domain_loading.install()
    ours = _get_parameter_information(DomainProvider, "load")
    rasas = _get_parameter_information(
        type("RasasProvider", (DomainProvider,), {"load": classmethod(domain_loading.rasas_load())}), "load"
    )
    assert ours == rasas
