"""The items the visual report draws, read back from the files a run checked, with their images.

A run keeps no file's items (memory is released file by file), so the report goes back to the files:
each file that holds diagnostics on items is read again (only its beginning, when that holds the
items to draw) and outlined (its items as undecoded text, about a tenth of a full parse), and only
the items to draw are decoded. Their images are looked up
where Datumaro looks (``images/<subset>/<path>``, then ``images/<path>``) in the dataset folder or
archive, and downscaled.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import msgspec
import orjson

from dlint.columns import cut
from dlint.diagnostics import Diagnostic, split_pointer
from dlint.media import MediaStore, locate
from dlint.rle import valid_totals
from dlint.sources import Source

if TYPE_CHECKING:  # (the drawing modules, and the image libraries with them, load where items are drawn)
    from dlint.visual.draw import Drawing
    from dlint.visual.thumbs import Thumbnail


class _Outline(msgspec.Struct):
    """A file's categories, and its items as undecoded text."""

    categories: Any = None
    items: list[msgspec.Raw] = []


_OUTLINE = msgspec.json.Decoder(_Outline)


@dataclass(frozen=True)
class Scene:
    """An item drawn: its annotations over its image (or over a stand-in of the image's size), and
    what was found of the image."""

    drawing: Drawing
    #: What became of the image: "" when it is drawn, else why not ("not in the dataset", ...).
    image_note: str


def item_index(pointer: str) -> int | None:
    """The index of the item a pointer lies in (None when it lies in no item)."""
    tokens = split_pointer(pointer)
    if len(tokens) >= 2 and tokens[0] == "items" and tokens[1].isdigit():
        return int(tokens[1])
    return None


def annotation_index(pointer: str) -> int | None:
    """The index of the annotation a pointer lies in (None when it lies in no annotation)."""
    tokens = split_pointer(pointer)
    if len(tokens) >= 4 and tokens[0] == "items" and tokens[2] == "annotations" and tokens[3].isdigit():
        return int(tokens[3])
    return None


@dataclass
class Chosen:
    """The items of one file to draw: each with the annotation to highlight, and how far into the
    file's text they reach when that is known (the file is one line: the largest column of their
    diagnostics, a character offset, which is at most the byte offset)."""

    items: dict[int, int | None] = field(default_factory=dict)
    reach: int | None = 0


def wanted(diagnostics: Iterable[Diagnostic], limit: int) -> dict[str, Chosen]:
    """The items to draw, by file: the first ``limit`` items that diagnostics lie in, in report order,
    each with the annotation to highlight (that of its first diagnostic on an annotation)."""
    chosen: dict[str, Chosen] = {}
    count = 0
    for diagnostic in diagnostics:
        index = item_index(diagnostic.pointer)
        if index is None:
            continue
        file = chosen.setdefault(diagnostic.file, Chosen())
        if index not in file.items:
            if count >= limit:
                continue
            count += 1
            file.items[index] = None
        if file.items[index] is None:
            file.items[index] = annotation_index(diagnostic.pointer)
        if file.reach is not None:
            one_line = diagnostic.line == 1 and diagnostic.column is not None
            file.reach = max(file.reach, (diagnostic.column or 1) - 1) if one_line else None
    return chosen


def outline(raw: bytes, last: int, reach: int | None) -> _Outline:
    """The file's categories and its items as text, at least up to item ``last``: from a cut (see
    :func:`cut_outline`) when a position inside that item is known (``reach``), else from the whole
    text."""
    found = None if reach is None else cut_outline(raw, last, reach)
    return found if found is not None else _OUTLINE.decode(raw)


def cut_outline(raw: bytes, last: int, reach: int) -> _Outline | None:
    """The categories and the items as text up to the end of an item past ``reach``, a position
    inside item ``last``: the first few boundaries between items that follow are tried, the text is
    cut after one and closed (``]}``), and the cut holds only if that decodes, with the categories
    and the item. A cut anywhere but between two items of the top-level items does not decode. None
    when no cut holds (``raw`` may be only the beginning of the file)."""
    for tries, boundary in enumerate(cut.BOUNDARY.finditer(raw, reach)):
        if tries == MAX_CUTS:
            break
        try:
            found = _OUTLINE.decode(b"".join((memoryview(raw)[: boundary.start() + 1], b"]}")))
        except (msgspec.MsgspecError, ValueError):
            continue
        if len(found.items) > last and found.categories is not None:
            return found
    return None


#: Below this many items to draw, a second process costs more than it saves.
SHARED_FROM = 16
#: Cuts tried after the items to draw before the whole text is decoded.
MAX_CUTS = 4
#: Bytes read past the farthest diagnostic of the items to draw, for the end of its item and the next
#: boundary to be in them (else the whole file is read).
HEAD_MARGIN = 1 << 20


def drawer(jobs: list[Job]) -> Callable[[int], bytes]:
    """What draws item ``index`` of ``jobs``, as bytes a pipe carries (:func:`scene` reads them);
    the masks of all the items are measured at once first."""
    totals = _mask_totals(jobs)
    return lambda index: orjson.dumps(_drawn(jobs[index], totals))


def shared(jobs: list[Job]) -> bool:
    """Whether ``jobs`` are worth drawing in two processes side by side (see
    :func:`dlint.columns.split.share_out`)."""
    # A forked process would share the open archive's file offset with this one: images read from
    # an archive are drawn here alone.
    return len(jobs) >= SHARED_FROM and all(job.source.member is None for job in jobs)


def _mask_totals(jobs: list[Job]) -> Mapping[str, int]:
    """The compressed masks of the items to draw, measured all at once (see
    :func:`dlint.rle.valid_totals`): what drawing them one by one would measure."""
    return valid_totals(
        rle["counts"]
        for job in jobs
        if isinstance(annotations := job.item.get("annotations"), list)
        for annotation in annotations
        if isinstance(annotation, dict)
        and annotation.get("type") == "mask"
        and isinstance(rle := annotation.get("rle"), dict)
        and isinstance(rle.get("counts"), str)
    )


def scene(answer: bytes) -> Scene | None:
    """A drawn item from what :func:`drawer` gave (None for an item with nothing to draw)."""
    done = orjson.loads(answer)
    if done is None:
        return None
    from dlint.visual.draw import Drawing

    svg, notes, image_note = done
    return Scene(Drawing(svg, tuple(notes)), image_note)


class Job(NamedTuple):
    """An item to draw, read back: where it is, what it holds, the annotation to highlight."""

    source: Source
    row: int
    item: dict[str, Any]
    categories: Any
    highlight: int | None


def read_back(sources: Iterable[Source], chosen: dict[str, Chosen]) -> Iterable[Job]:
    """The items to draw, read back from their files (those that cannot be read back are left out:
    their file changed, or does not decode)."""
    for source in sources:
        wanted = chosen.get(source.name)
        if wanted is None or not wanted.items:
            continue
        last, reach = max(wanted.items), wanted.reach
        try:
            found = None
            if reach is not None:  # the beginning of the file first, when it is known how far to read
                found = cut_outline(source.read_head(reach + HEAD_MARGIN), last, reach)
            read = found if found is not None else outline(source.read(), last, reach)
        except (OSError, msgspec.MsgspecError, ValueError):
            continue  # the run refused or could not parse this file: nothing to draw from it
        for index, highlight in wanted.items.items():
            if index >= len(read.items):
                continue
            try:
                item = orjson.loads(bytes(read.items[index]))
            except orjson.JSONDecodeError:
                continue
            if isinstance(item, dict):
                yield Job(source, index, item, read.categories, highlight)


def _drawn(job: Job, mask_totals: Mapping[str, int]) -> Any:
    """An item drawn, as data a pipe carries: [svg, notes, image note], or None."""
    from dlint.visual.draw import draw

    image, note = _image(job.item, job.source)
    drawing = draw(
        job.item,
        job.categories,
        highlight=job.highlight,
        image=image,
        size=_size(job.item),
        mask_totals=mask_totals,
    )
    return None if drawing is None else [drawing.svg, list(drawing.notes), note]


def _size(item: dict[str, Any]) -> tuple[int, int] | None:
    """The image size an item declares, as (height, width)."""
    image = item.get("image")
    size = image.get("size") if isinstance(image, dict) else None
    if isinstance(size, list) and len(size) == 2 and all(type(v) is int and v > 0 for v in size):
        return size[0], size[1]
    return None


def _image(item: dict[str, Any], source: Source) -> tuple[Thumbnail | None, str]:
    """The item's image, downscaled, or None and why."""
    image = item.get("image")
    if not isinstance(image, dict):
        return None, "the item has no image"
    path = image.get("path")
    if not isinstance(path, str) or not path:
        item_id = item.get("id")
        path = f"{item_id}.jpg" if isinstance(item_id, str) else ""
    store: MediaStore | None = source.dataset.media
    if store is None:
        return None, "the dataset carries no images"
    found = locate(store, "images", source.subset, path) if path else None
    if found is None:
        return None, f"{path or 'its image'}: not in the dataset"
    from dlint.visual.thumbs import thumbnail

    try:
        with store.open(found) as stream:
            picture = thumbnail(stream)
    except OSError as error:
        return None, f"{path}: cannot be read ({error.strerror or error})"
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
        return None, f"{path}: cannot be read from the archive ({error})"
    if picture is None:
        return None, f"{path}: not an image that can be read"
    return picture, ""
