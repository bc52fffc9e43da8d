from collective.civicreports.geo import cells as geocells

import unittest


class GeoCellsTest(unittest.TestCase):
    def test_cells_of_a_point(self):
        cells = geocells.cells_of(39.2238, 9.1217)
        self.assertEqual(cells, ["0:39:9", "1:392:91", "2:3922:912", "3:39223:9121"])

    def test_a_small_box_uses_fine_cells(self):
        cells = geocells.cells_covering(9.1210, 39.2230, 9.1250, 39.2245)
        self.assertTrue(all(cell.startswith("3:") for cell in cells))
        self.assertIn(geocells.cells_of(39.2238, 9.1217)[3], cells)
        self.assertLessEqual(len(cells), geocells.MAX_CELLS)

    def test_a_city_box_uses_coarser_cells(self):
        cells = geocells.cells_covering(9.05, 39.17, 9.20, 39.28)
        self.assertTrue(all(cell.startswith("1:") for cell in cells))
        self.assertIn("1:392:91", cells)

    def test_negative_coordinates(self):
        self.assertEqual(geocells.cell(0, -0.5, -0.5), "0:-1:-1")
        self.assertIn("0:-1:-1", geocells.cells_covering(-0.9, -0.9, -0.1, -0.1))

    def test_the_world_is_not_a_list_of_cells(self):
        self.assertIsNone(geocells.cells_covering(-180, -90, 180, 90))
