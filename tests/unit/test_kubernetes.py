"""deploy/kubernetes/: every manifest valid against a current Kubernetes schema (offline), the generated
files up to date, and the pieces that must fit together fitting together."""

import json
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from schemas.resources import dump_resources
from service.core.rulebook import load_rulebook
from service.ops.settings import load_resources

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "kubernetes"
VERSION = "1.37.0"
sys.path.insert(0, str(K8S))
from generate import generate  # noqa: E402


def _kustomization() -> dict:
    return yaml.safe_load((K8S / "kustomization.yaml").read_text())


def _documents() -> list[dict]:
    documents = []
    for name in _kustomization()["resources"]:
        documents += [d for d in yaml.safe_load_all((K8S / name).read_text()) if d]
    return documents


def _one(kind: str) -> dict:
    (found,) = [d for d in _documents() if d["kind"] == kind]
    return found


def test_every_manifest_is_valid_against_the_kubernetes_schema_strictly():
    documents = _documents()
    assert {d["kind"] for d in documents} >= {
        "Deployment",
        "Service",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
        "ConfigMap",
        "Secret",
    }
    for document in documents:
        kubernetes_validate.validate(document, VERSION, strict=True)


def test_a_broken_manifest_is_refused():
    deployment = _one("Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["periodSecond"] = 5
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, VERSION, strict=True)


def test_generated_files_are_up_to_date():
    for name, text in generate().items():
        assert (K8S / "generated" / name).read_text() == text, f"run `make k8s`: {name} is out of date"


def test_the_rules_configmap_is_the_same_rulebook(tmp_path):
    rules = yaml.safe_load((K8S / "generated" / "rules-configmap.yaml").read_text())
    for key, text in rules["data"].items():  # what a ConfigMap volume mounts: one flat folder
        (tmp_path / key).write_text(text)
    mounted, packaged = load_rulebook(tmp_path), load_rulebook()
    assert mounted.digest == packaged.digest
    assert rules["metadata"]["annotations"]["closeness.example.org/rules-digest"] == packaged.digest
    patch = yaml.safe_load((K8S / "generated" / "rollout-patch.yaml").read_text())
    assert patch["spec"]["template"]["metadata"]["annotations"]["closeness.example.org/rules-digest"] == (
        packaged.digest
    )


def test_the_resources_configmap_is_a_usable_resources_file(tmp_path):
    data = next(d for d in _documents() if d["metadata"]["name"] == "closeness-resources")
    path = tmp_path / "resources.json"
    path.write_text(data["data"]["resources.json"])
    rulebook = load_rulebook()
    loaded = load_resources(str(path), rulebook.concerns, rulebook.resources)
    assert dump_resources(loaded) == json.loads(path.read_text())


def test_the_pod_is_locked_down_probed_and_wired():
    deployment = _one("Deployment")
    pod = deployment["spec"]["template"]["spec"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["automountServiceAccountToken"] is False
    volumes = {v["name"]: v for v in pod["volumes"]}
    names = {d["metadata"]["name"] for d in _documents()}
    for container in pod["containers"]:
        security = container["securityContext"]
        assert security["readOnlyRootFilesystem"] and not security["allowPrivilegeEscalation"]
        assert security["capabilities"]["drop"] == ["ALL"]
        assert container["resources"]["requests"] and container["resources"]["limits"]
        assert container["livenessProbe"]
        for mount in container["volumeMounts"]:
            volume = volumes[mount["name"]]
            source = volume.get("configMap") or volume.get("secret")
            assert source is None or source.get("name", source.get("secretName")) in names
    app = pod["containers"][0]
    env = {e["name"]: e for e in app["env"]}
    assert env["CLOSENESS_HOST"]["value"] == "127.0.0.1"  # only nginx, in the pod, is reachable
    assert env["CLOSENESS_DECISION_SPOOL_DIR"]["value"] == "/var/lib/closeness/spool"
    assert {
        env[k]["valueFrom"]["secretKeyRef"]["name"]
        for k in ("CLOSENESS_DATABASE_URL", "CLOSENESS_API_KEY", "CLOSENESS_DATA_KEY")
    } <= names
    assert app["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert "/livez" in " ".join(app["livenessProbe"]["exec"]["command"])
    for kind in ("Service", "PodDisruptionBudget"):
        selector = _one(kind)["spec"]["selector"]
        assert (selector.get("matchLabels") or selector).items() <= labels.items()
    assert _one("HorizontalPodAutoscaler")["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    assert _one("HorizontalPodAutoscaler")["spec"]["minReplicas"] >= 2


def test_the_image_is_a_kustomize_setting_for_the_deployment():
    images = {image["name"]: image for image in _kustomization()["images"]}
    containers = _one("Deployment")["spec"]["template"]["spec"]["containers"]
    (closeness,) = [c for c in containers if c["name"] == "closeness"]
    assert closeness["image"] in images  # kustomize replaces it with the registry and tag set there
    setting = images[closeness["image"]]
    assert "/" in setting["newName"] and setting["newTag"] and not setting["newName"].startswith("localhost/")
