# Third-party libraries, all from Debian packages (scripts/install-deps.sh installs them).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PostgreSQL 15 REQUIRED) # libpq (libpq-dev), for store/postgres
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(ZLIB REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(XLSXWRITER REQUIRED IMPORTED_TARGET xlsxwriter)
pkg_check_modules(MINIZIP REQUIRED IMPORTED_TARGET minizip)
pkg_check_modules(EXPAT REQUIRED IMPORTED_TARGET expat)
pkg_check_modules(GDAL REQUIRED IMPORTED_TARGET gdal) # libgdal-dev, for io/gpkg_writer.cpp only
pkg_check_modules(CAIRO REQUIRED IMPORTED_TARGET cairo cairo-pdf) # libcairo2-dev, for io/pdf_report.cpp only
pkg_check_modules(CBOR REQUIRED IMPORTED_TARGET libcbor) # libcbor-dev, for card/ only
pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET libqrencode) # card/: QR codes on rendered cards
# card/ rendering (card_render only): text with Pango, JPEG photos, reading QR codes back
pkg_check_modules(PANGOCAIRO REQUIRED IMPORTED_TARGET pangocairo) # libpango1.0-dev
pkg_check_modules(TURBOJPEG REQUIRED IMPORTED_TARGET libturbojpeg) # libturbojpeg0-dev
find_package(ZXing 1.4 REQUIRED) # libzxing-dev (zxing-cpp)
