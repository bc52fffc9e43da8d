"""Clean up a photo sent by a citizen before it is stored for publication.

Phone photos carry EXIF (GPS position, camera serial number, time), XMP and
comments: published as they are, they would tell everyone where the citizen
lives and which phone they own. So every photo is decoded and encoded again
from its pixels only, which drops all metadata whatever its kind. The GPS
position is read first, because the form can offer it as the report's location.

No Zope site is needed here, so this can be used and tested on its own.
"""

from collective.civicreports import _
from dataclasses import dataclass
from io import BytesIO
from PIL import Image
from PIL import ImageOps


ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
MAX_DIMENSION = 2560
GPS_IFD = 0x8825
NOT_AN_IMAGE = _("A file sent as a photo is not a JPEG, PNG, GIF or WebP image.")
TOO_LARGE_TO_PROCESS = _("This photo is too large to process.")
TOO_MANY_PIXELS = _(
    "The photos are too large to process together: send fewer photos, or smaller ones."
)


class PhotoError(ValueError):
    """A photo that cannot be accepted; .message is a translatable zope.i18n Message."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class PixelBudget:
    """The pixels the photos of one request may have in all. Decoding costs
    time by the pixel, not by the byte: a PNG of a few kilobytes can hold
    eighty million pixels. The budget is spent from the image's header,
    before anything is decoded."""

    def __init__(self, megapixels):
        self.left = megapixels * 1_000_000

    def spend(self, width, height):
        self.left -= width * height
        if self.left < 0:
            raise PhotoError(TOO_MANY_PIXELS)


@dataclass
class Photo:
    data: bytes
    extension: str
    content_type: str
    width: int
    height: int
    latitude: float | None
    longitude: float | None


def _coordinate(dms, ref, positive, negative, limit):
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    ref = str(ref).strip("\x00 ").upper()
    if ref not in (positive, negative) or len(dms) != 3:
        return None
    # Pillow turns a zero denominator into NaN, which fails the range check.
    degrees, minutes, seconds = (float(part) for part in dms)
    value = degrees + minutes / 60 + seconds / 3600
    if not -limit <= value <= limit:
        return None
    return -value if ref == negative else value


def gps_position(image):
    """(latitude, longitude) in decimal degrees from the EXIF of a PIL image."""
    try:
        gps = image.getexif().get_ifd(GPS_IFD)
        latitude = _coordinate(gps.get(2, ()), gps.get(1, ""), "N", "S", 90)
        longitude = _coordinate(gps.get(4, ()), gps.get(3, ""), "E", "W", 180)
    except (TypeError, ValueError, ZeroDivisionError, OSError, SyntaxError):
        # Broken EXIF is common and must not cost the citizen their photo.
        return None
    if latitude is None or longitude is None:
        return None
    # Some phones write 0/0 when they have no fix; nobody reports from there.
    if latitude == 0 and longitude == 0:
        return None
    return latitude, longitude


def _open(raw, budget=None):
    try:
        # formats= keeps the other Pillow decoders (and their bugs) out of
        # reach; MPO, the multi-picture JPEG of some cameras, still opens.
        image = Image.open(BytesIO(raw), formats=ACCEPTED_FORMATS)
        # Image.open only warns below twice this limit; refuse at the limit
        # itself, without touching the process-wide warning filters.
        limit = Image.MAX_IMAGE_PIXELS
        if limit and image.width * image.height > limit:
            raise Image.DecompressionBombError(image.size)
        if budget is not None:
            budget.spend(image.width, image.height)
        # Decoding now, not at save time, refuses truncated files here.
        image.load()
    except PhotoError:
        raise  # the budget's: a ValueError, but not a broken image
    except Image.DecompressionBombError as error:
        raise PhotoError(TOO_LARGE_TO_PROCESS) from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise PhotoError(NOT_AN_IMAGE) from error
    return image


def process_photo(raw, max_bytes, budget=None):
    """A Photo with the image in raw re-encoded, without any metadata;
    ``budget``, a PixelBudget, is shared by the photos of one request."""
    if len(raw) > max_bytes:
        size = max_bytes // (1024 * 1024)
        raise PhotoError(
            _("A photo is larger than ${size} MB.", mapping={"size": size})
        )
    image = _open(raw, budget)
    position = gps_position(image)
    try:
        # The orientation lives in the EXIF that is about to be dropped.
        image = ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError) as error:
        raise PhotoError(NOT_AN_IMAGE) from error
    if image.mode in ("RGBA", "LA", "PA", "RGBa") or "transparency" in image.info:
        image = image.convert("RGBA")
        # An alpha channel that is opaque everywhere is no reason for a PNG.
        if image.getchannel("A").getextrema()[0] == 255:
            image = image.convert("RGB")
    else:
        image = image.convert("RGB")
    scale = MAX_DIMENSION / max(image.size)
    if scale < 1:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.LANCZOS)
    # Pillow's encoders copy some entries (comment, ICC profile) from info.
    image.info = {}
    output = BytesIO()
    if image.mode == "RGBA":
        image.save(output, "PNG", optimize=True)
        extension, content_type = "png", "image/png"
    else:
        image.save(output, "JPEG", quality=85, optimize=True, progressive=True)
        extension, content_type = "jpg", "image/jpeg"
    latitude, longitude = position or (None, None)
    return Photo(
        data=output.getvalue(),
        extension=extension,
        content_type=content_type,
        width=image.width,
        height=image.height,
        latitude=latitude,
        longitude=longitude,
    )
