from collective.civicreports.privacy.photos import gps_position
from collective.civicreports.privacy.photos import MAX_DIMENSION
from collective.civicreports.privacy.photos import PhotoError
from collective.civicreports.privacy.photos import process_photo
from io import BytesIO
from PIL import Image
from unittest import mock
from zope.i18nmessageid import Message

import piexif
import unittest
import warnings


MB = 1024 * 1024
NOT_AN_IMAGE = "A file sent as a photo is not a JPEG, PNG, GIF or WebP image."
TOO_LARGE = "This photo is too large to process."

# 39°13'25.7"N 9°07'18.1"E, Cagliari.
CAGLIARI = {
    piexif.GPSIFD.GPSLatitudeRef: b"N",
    piexif.GPSIFD.GPSLatitude: ((39, 1), (13, 1), (257, 10)),
    piexif.GPSIFD.GPSLongitudeRef: b"E",
    piexif.GPSIFD.GPSLongitude: ((9, 1), (7, 1), (181, 10)),
}
# 34°36'12"S 58°22'54"W, Buenos Aires.
BUENOS_AIRES = {
    piexif.GPSIFD.GPSLatitudeRef: b"S",
    piexif.GPSIFD.GPSLatitude: ((34, 1), (36, 1), (12, 1)),
    piexif.GPSIFD.GPSLongitudeRef: b"W",
    piexif.GPSIFD.GPSLongitude: ((58, 1), (22, 1), (54, 1)),
}


def exif_bytes(gps=None, orientation=None):
    zeroth = {
        piexif.ImageIFD.Make: b"SecretPhoneMaker",
        piexif.ImageIFD.Model: b"SecretModel",
    }
    if orientation:
        zeroth[piexif.ImageIFD.Orientation] = orientation
    return piexif.dump({"0th": zeroth, "GPS": gps or {}})


def encode(image, fmt="JPEG", **params):
    output = BytesIO()
    image.save(output, fmt, **params)
    return output.getvalue()


def reopen(photo):
    return Image.open(BytesIO(photo.data))


def noise(size=(200, 200)):
    return Image.merge("RGB", [Image.effect_noise(size, 60)] * 3)


class GPSTest(unittest.TestCase):
    def position(self, gps):
        raw = encode(Image.new("RGB", (16, 16)), exif=exif_bytes(gps))
        return process_photo(raw, MB)

    def test_north_east(self):
        photo = self.position(CAGLIARI)
        self.assertAlmostEqual(photo.latitude, 39.2238, places=4)
        self.assertAlmostEqual(photo.longitude, 9.1217, places=4)

    def test_south_west_is_negative(self):
        photo = self.position(BUENOS_AIRES)
        self.assertAlmostEqual(photo.latitude, -34.6033, places=4)
        self.assertAlmostEqual(photo.longitude, -58.3817, places=4)

    def test_from_a_pil_image(self):
        image = Image.open(BytesIO(encode(noise(), exif=exif_bytes(CAGLIARI))))
        latitude, longitude = gps_position(image)
        self.assertAlmostEqual(latitude, 39.2238, places=4)
        self.assertAlmostEqual(longitude, 9.1217, places=4)

    def test_png_exif(self):
        raw = encode(Image.new("RGB", (16, 16)), "PNG", exif=exif_bytes(CAGLIARI))
        photo = process_photo(raw, MB)
        self.assertAlmostEqual(photo.latitude, 39.2238, places=4)
        self.assertEqual(reopen(photo).getexif(), {})

    def test_no_exif(self):
        photo = process_photo(encode(Image.new("RGB", (16, 16))), MB)
        self.assertIsNone(photo.latitude)
        self.assertIsNone(photo.longitude)

    def test_exif_without_gps(self):
        raw = encode(Image.new("RGB", (16, 16)), exif=exif_bytes())
        self.assertIsNone(gps_position(Image.open(BytesIO(raw))))

    def test_invalid(self):
        lat = piexif.GPSIFD.GPSLatitude
        lon = piexif.GPSIFD.GPSLongitude
        for change in (
            {lat: ((39, 0), (13, 1), (257, 10))},
            {lon: ((9, 1), (7, 1), (181, 0))},
            {lat: ((95, 1), (0, 1), (0, 1))},
            {lon: ((181, 1), (0, 1), (0, 1))},
            {lat: ((39, 1), (13, 1))},
            {piexif.GPSIFD.GPSLatitudeRef: b"X"},
            {lat: ((0, 1), (0, 1), (0, 1)), lon: ((0, 1), (0, 1), (0, 1))},
        ):
            photo = self.position({**CAGLIARI, **change})
            self.assertIsNone(photo.latitude, change)
            self.assertIsNone(photo.longitude, change)

    def test_missing_part(self):
        for key in CAGLIARI:
            gps = {k: v for k, v in CAGLIARI.items() if k != key}
            self.assertIsNone(self.position(gps).latitude, key)


class MetadataTest(unittest.TestCase):
    def test_everything_is_dropped(self):
        raw = encode(
            noise(),
            exif=exif_bytes(CAGLIARI),
            comment=b"my home address",
            xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret</x:xmpmeta>',
        )
        self.assertIn(b"SecretModel", raw)
        photo = process_photo(raw, MB)
        self.assertAlmostEqual(photo.latitude, 39.2238, places=4)
        image = reopen(photo)
        self.assertEqual(image.format, "JPEG")
        self.assertEqual(image.getexif(), {})
        for key in ("exif", "xmp", "comment", "icc_profile"):
            self.assertNotIn(key, image.info)
        for text in (b"Exif", b"GPS", b"Secret", b"xmpmeta", b"home address"):
            self.assertNotIn(text, photo.data)

    def test_orientation(self):
        # Red left, blue right; orientation 6 means "turn 90° clockwise".
        image = Image.new("RGB", (40, 20), "blue")
        image.paste("red", (0, 0, 20, 20))
        photo = process_photo(encode(image, exif=exif_bytes(orientation=6)), MB)
        self.assertEqual((photo.width, photo.height), (20, 40))
        upright = reopen(photo).convert("RGB")
        self.assertEqual(upright.size, (20, 40))
        self.assertGreater(upright.getpixel((10, 5))[0], 200)
        self.assertGreater(upright.getpixel((10, 35))[2], 200)
        self.assertEqual(upright.getexif(), {})


class SizeTest(unittest.TestCase):
    def test_downscaled(self):
        raw = encode(Image.new("RGB", (5000, 3000), "green"))
        photo = process_photo(raw, 10 * MB)
        self.assertEqual((photo.width, photo.height), (MAX_DIMENSION, 1536))
        self.assertEqual(reopen(photo).size, (2560, 1536))

    def test_portrait_downscaled(self):
        raw = encode(Image.new("RGB", (3000, 5000), "green"), "PNG")
        photo = process_photo(raw, 10 * MB)
        self.assertEqual(reopen(photo).size, (1536, 2560))

    def test_not_upscaled(self):
        photo = process_photo(encode(Image.new("RGB", (120, 80))), MB)
        self.assertEqual((photo.width, photo.height), (120, 80))
        self.assertEqual(reopen(photo).size, (120, 80))

    def test_too_many_bytes(self):
        raw = encode(noise())
        with self.assertRaises(PhotoError) as caught:
            process_photo(raw, len(raw) - 1)
        self.assertEqual(caught.exception.message.mapping, {"size": 0})
        with self.assertRaises(PhotoError) as caught:
            process_photo(b"x" * (3 * MB + 1), 3 * MB)
        message = caught.exception.message
        self.assertEqual(message, "A photo is larger than ${size} MB.")
        self.assertEqual(message.mapping, {"size": 3})

    def test_exactly_max_bytes(self):
        raw = encode(noise())
        self.assertEqual(process_photo(raw, len(raw)).width, 200)

    def test_decompression_bomb(self):
        with mock.patch.object(Image, "MAX_IMAGE_PIXELS", 1000):
            # 1600 pixels only makes Pillow warn, 10000 makes it raise.
            for size in ((40, 40), (100, 100)):
                raw = encode(Image.new("RGB", size), "PNG")
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                    with self.assertRaises(PhotoError) as caught:
                        process_photo(raw, MB)
                self.assertEqual(caught.exception.message, TOO_LARGE)
            photo = process_photo(encode(Image.new("L", (30, 30))), MB)
            self.assertEqual(photo.width, 30)


class FormatTest(unittest.TestCase):
    def assertJPEG(self, photo):
        self.assertEqual((photo.extension, photo.content_type), ("jpg", "image/jpeg"))
        image = reopen(photo)
        self.assertEqual(image.format, "JPEG")
        self.assertEqual(image.mode, "RGB")
        return image

    def test_transparent_png(self):
        image = Image.new("RGBA", (30, 20), (255, 0, 0, 255))
        image.putpixel((0, 0), (0, 0, 0, 0))
        photo = process_photo(encode(image, "PNG"), MB)
        self.assertEqual((photo.extension, photo.content_type), ("png", "image/png"))
        output = reopen(photo)
        self.assertEqual(output.format, "PNG")
        self.assertEqual(output.mode, "RGBA")
        self.assertEqual(output.getpixel((0, 0))[3], 0)
        self.assertEqual(output.getpixel((5, 5)), (255, 0, 0, 255))

    def test_transparent_gif(self):
        image = Image.new("P", (30, 20), 1)
        image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
        image.putpixel((0, 0), 0)
        photo = process_photo(encode(image, "GIF", transparency=0), MB)
        output = reopen(photo)
        self.assertEqual((output.format, output.mode), ("PNG", "RGBA"))
        self.assertEqual(output.getpixel((0, 0))[3], 0)
        self.assertEqual(output.getpixel((5, 5)), (255, 0, 0, 255))

    def test_opaque_alpha_becomes_jpeg(self):
        image = Image.new("RGBA", (30, 20), (255, 0, 0, 255))
        self.assertJPEG(process_photo(encode(image, "PNG"), MB))

    def test_plain_formats_become_jpeg(self):
        for fmt in ("PNG", "GIF", "WEBP", "JPEG"):
            raw = encode(Image.new("RGB", (30, 20), (255, 0, 0)), fmt)
            image = self.assertJPEG(process_photo(raw, MB))
            self.assertEqual(image.size, (30, 20), fmt)
            red, green, blue = image.getpixel((10, 10))
            self.assertGreater(red, 200, fmt)
            self.assertLess(green + blue, 60, fmt)

    def test_other_modes_become_jpeg(self):
        self.assertJPEG(process_photo(encode(Image.new("L", (30, 20))), MB))
        self.assertJPEG(process_photo(encode(Image.new("CMYK", (30, 20))), MB))
        self.assertJPEG(process_photo(encode(Image.new("1", (30, 20)), "PNG"), MB))

    def test_animated_gif_first_frame(self):
        frames = [Image.new("RGB", (30, 20), color) for color in ("red", "blue")]
        raw = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
        self.assertTrue(Image.open(BytesIO(raw)).is_animated)
        image = self.assertJPEG(process_photo(raw, MB))
        red, green, blue = image.getpixel((10, 10))
        self.assertGreater(red, 200)
        self.assertLess(blue, 60)

    def test_refused(self):
        jpeg = encode(noise())
        for raw in (
            b"hello",
            b"",
            jpeg[: len(jpeg) // 2],
            encode(Image.new("RGB", (30, 20)), "BMP"),
            encode(Image.new("RGB", (30, 20)), "TIFF"),
        ):
            with self.assertRaises(PhotoError) as caught:
                process_photo(raw, MB)
            self.assertEqual(caught.exception.message, NOT_AN_IMAGE)

    def test_message(self):
        with self.assertRaises(PhotoError) as caught:
            process_photo(b"hello", MB)
        message = caught.exception.message
        self.assertIsInstance(message, Message)
        self.assertEqual(message.domain, "collective.civicreports")
        self.assertIsInstance(caught.exception, ValueError)
