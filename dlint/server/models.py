"""The shapes of the service's answers, for the OpenAPI description (``/openapi.json``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Health(BaseModel):
    status: str = Field(description="`ok` while the service answers.")
    version: str


class ReaderClaim(BaseModel):
    """What one reader does with a rule's defect, and where its source decides it."""

    reading: str = Field(description="fails, corrupts or reads")
    source: str = Field(description="the reader's source file and function that decide it")
    how: str


class RuleInfo(BaseModel):
    """A rule, as `dlint rules --output-format json` lists it."""

    code: str
    name: str
    summary: str
    severity: str = Field(description="error, warning or info")
    fix: str = Field(description="none, safe or unsafe")
    readers: dict[str, ReaderClaim] = Field(
        description="What each reader (datumaro, cvat) does with a file holding the defect"
    )
    docs: str


class SchemaInfo(BaseModel):
    dialect: str
    version: int
    id: str
    sha256: str
    url: str


class Diagnostic(BaseModel):
    """One defect, as `dlint check --output-format json` writes it."""

    code: str
    name: str
    severity: str
    message: str
    file: str
    pointer: str
    line: int | None
    column: int | None
    subset: str | None
    item_id: str | None
    annotation_id: int | None
    fix: dict[str, Any] | None


class Summary(BaseModel):
    passed: bool = Field(description="No error-level diagnostic: the upload may be imported.")
    files: int = Field(description="Annotation files checked.")
    diagnostics: int
    errors: int
    warnings: int
    infos: int
    fixable: int = Field(description="Diagnostics that `/v1/fix` repairs.")
    unsafe_fixable: int = Field(description="More that `/v1/fix?unsafe_fixes=true` repairs.")


class CheckResult(BaseModel):
    diagnostics: list[Diagnostic]
    summary: Summary


class ProblemDetails(BaseModel):
    """An RFC 9457 problem document."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="`urn:dlint:problem:<slug>`")
    title: str
    status: int
    detail: str
