// `kapal province …`: the province package (docs/province.md). A city joins the province with
// the key file the province issued, makes a signed package per period and reviews the return;
// the province instance issues keys, enrols the kab/kota, imports packages, lists the persons
// registered in two kab/kota and writes each city's return.

#include "kapal/app/application.hpp"
#include "kapal/cli/commands.hpp"
#include "kapal/core/person.hpp"
#include "kapal/service/province_service.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

namespace kapal::cli {
namespace {

/// Writes a file only its owner may read (key files, packages and returns are not for others).
int write_private(const std::string& bytes, const std::string& out) {
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        return report_error(Error{ErrorCode::Io, "cannot create " + out, {}});
    }
    const bool ok = ::fchmod(fd, 0600) == 0 &&
                    ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) &&
                    ::fsync(fd) == 0;
    ::close(fd);
    return ok ? 0 : report_error(Error{ErrorCode::Io, "cannot write " + out, {}});
}

Result<std::string> read_input(const std::string& file) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec) {
        return fail(ErrorCode::Io, "cannot read " + file + ": " + ec.message());
    }
    if (size > service::kMaxProvinceFileBytes) {
        return fail(ErrorCode::PayloadTooLarge, file + " is too large");
    }
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string figure(const service::PublishedFigure& f) {
    return f.suppressed ? "*" : std::to_string(f.value);
}

} // namespace

void add_province(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand(
        "province", "The province package: join, package, import, cross-registration, review");
    cmd->require_subcommand(1);

    struct Opts {
        std::string dir, kota, out, key, public_key, period, file;
    };

    auto o = std::make_shared<Opts>();
    auto data = [o](CLI::App* sub) {
        sub->add_option("--data", o->dir, "Data directory")->required();
    };

    // ---- province side ----
    auto* issue = cmd->add_subcommand(
        "issue-key", "Province: write the key file for a kab/kota (SECRET: the matching key)");
    data(issue);
    issue->add_option("--kota", o->kota, "Kab/kota code, e.g. 64.74")->required();
    issue->add_option("--out", o->out, "Key file to write (mode 0600)")->required();
    issue->callback([&action, o] {
        action = [o] {
            auto opened = app::Application::open(o->dir);
            if (!opened) {
                return report_error(opened.error());
            }
            auto text = service::issue_province_key(o->dir, (*opened)->reference(), o->kota);
            if (!text) {
                return report_error(text.error());
            }
            if (const int rc = write_private(*text, o->out); rc != 0) {
                return rc;
            }
            std::cout << "Key file for " << o->kota << " written to " << o->out
                      << " (secret: hand it over safely; the city runs `kapal province join`).\n";
            return 0;
        };
    });

    auto* enrol = cmd->add_subcommand(
        "enrol", "Province: enrol a kab/kota's package signing key (printed by its join)");
    data(enrol);
    enrol->add_option("--kota", o->kota, "Kab/kota code, e.g. 64.74")->required();
    enrol->add_option("--public-key", o->public_key, "64 hex digits")->required();
    enrol->callback([&action, o] {
        action = [o] {
            auto opened = app::Application::open(o->dir);
            if (!opened) {
                return report_error(opened.error());
            }
            auto done = service::enrol_kota(
                o->dir, (*opened)->reference(), o->kota, o->public_key, (*opened)->clock().now());
            if (!done) {
                return report_error(done.error());
            }
            std::cout << o->kota << " enrolled.\n";
            return 0;
        };
    });

    auto* import = cmd->add_subcommand(
        "import", "Province: verify and accept a kab/kota package (refuses tampered, replayed)");
    data(import);
    import->add_option("file", o->file, "Package file")->required();
    import->callback([&action, o] {
        action = [o] {
            auto opened = app::Application::open(o->dir);
    if (!opened) {
        return report_error(opened.error());
    }
    auto text = read_input(o->file);
    if (!text) {
        return report_error(text.error());
    }
    auto accepted = service::import_package(o->dir, *text, (*opened)->clock().now());
    if (!accepted) {
        return report_error(accepted.error());
    }
    std::cout << "Accepted package " << accepted->package_id << " from " << accepted->kota
              << ", period " << accepted->period << ", sequence " << accepted->sequence << ".\n";
    return 0;
};
} // namespace kapal::cli
);

auto* packages = cmd->add_subcommand("packages", "Province: the accepted packages");
data(packages);
packages->callback([&action, o] {
    action = [o] {
        auto ledger = service::accepted_packages(o->dir);
        if (!ledger) {
            return report_error(ledger.error());
        }
        for (const auto& a : *ledger) {
            std::cout << a.kota << "\t" << a.period << "\t" << a.sequence << "\t" << a.package_id
                      << "\t" << core::format_timestamp(a.imported_at) << "\n";
        }
        return 0;
    };
});

auto* summary = cmd->add_subcommand(
    "summary", "Province: the kab/kota side by side, per period (the newest package of each)");
data(summary);
summary->callback([&action, o] {
    action = [o] {
        auto ledger = service::accepted_packages(o->dir);
        if (!ledger) {
            return report_error(ledger.error());
        }
        // (period, kota) → the newest package.
        std::map<std::pair<std::string, std::string>, service::AcceptedPackage> newest;
        for (const auto& a : *ledger) {
            auto& slot = newest[{a.period, a.kota}];
            if (slot.sequence < a.sequence) {
                slot = a;
            }
        }
        std::cout << "period\tkota\tname";
        for (const auto name : service::kFigureNames) {
            std::cout << "\t" << name;
        }
        std::cout << "\n";
        for (const auto& [key, accepted] : newest) {
            auto package = service::read_accepted(o->dir, accepted);
            if (!package) {
                return report_error(package.error());
            }
            std::cout << key.first << "\t" << key.second << "\t" << package->kota_name;
            for (const auto& f : package->flows.total.counts) {
                std::cout << "\t" << figure(f);
            }
            std::cout << "\n";
        }
        std::cout << "(* suppressed: fewer than " << service::kSuppressionThreshold
                  << " persons, or hidden so that it cannot be computed back)\n";
        return 0;
    };
});

auto* cross = cmd->add_subcommand("cross-registered",
                                  "Province: persons registered in two or more kab/kota (no NIK)");
data(cross);
cross->callback([&action, o] {
    action = [o] {
        auto found = service::cross_registered(o->dir);
        if (!found) {
            return report_error(found.error());
        }
        std::map<std::string, int> pairs;
        for (const auto& c : *found) {
            std::string kota;
            for (const auto& [k, ref] : c.kota_refs) {
                if (kota.find(k) == std::string::npos) {
                    kota += (kota.empty() ? "" : " + ") + k;
                }
            }
            ++pairs[kota];
        }
        std::cout << found->size() << " persons registered in more than one kab/kota\n";
        for (const auto& [kota, n] : pairs) {
            std::cout << kota << "\t" << n << "\n";
        }
        return 0;
    };
});

auto* returns = cmd->add_subcommand(
    "returns", "Province: write the signed return for a kab/kota (its cross-registered)");
data(returns);
returns->add_option("--kota", o->kota, "Kab/kota code, e.g. 64.74")->required();
returns->add_option("--out", o->out, "Return file to write (mode 0600)")->required();
returns->callback([&action, o] {
    action = [o] {
        auto opened = app::Application::open(o->dir);
        if (!opened) {
            return report_error(opened.error());
        }
        auto text = service::make_return(o->dir, o->kota, (*opened)->clock().now());
        if (!text) {
            return report_error(text.error());
        }
        if (const int rc = write_private(*text, o->out); rc != 0) {
            return rc;
        }
        std::cout << "Return for " << o->kota << " written to " << o->out << ".\n";
        return 0;
    };
});

// ---- city side ----
auto* join = cmd->add_subcommand(
    "join", "City: store the province's key file; prints the key the province enrols");
data(join);
join->add_option("--key", o->key, "Key file from `kapal province issue-key`")->required();
join->callback([&action, o] {
    action = [o] {
        auto text = read_input(o->key);
        if (!text) {
            return report_error(text.error());
        }
        if (auto opened = app::Application::open(o->dir); !opened) {
            return report_error(opened.error()); // an initialised data directory only
        }
        auto joined = service::join_province(o->dir, *text);
        if (!joined) {
            return report_error(joined.error());
        }
        std::cout << "Joined province " << joined->province << " as " << joined->kota << ". Delete "
                  << o->key << " now.\n"
                  << "Package signing public key (give it to the province for `kapal "
                     "province enrol --kota "
                  << joined->kota << " --public-key …`):\n"
                  << joined->package_public_key << "\n";
        return 0;
    };
});

auto* package = cmd->add_subcommand(
    "package", "City: write the signed province package of a period (2026-Q3, 2026-09, 2026)");
data(package);
package->add_option("--period", o->period, "Year, quarter or month")->required();
package->add_option("--out", o->out, "Package file to write (mode 0600)")->required();
package->callback([&action, o] {
    action = [o] {
        const auto period = service::parse_period(o->period);
        if (!period) {
            return report_error(
                Error{ErrorCode::InvalidArgument,
                      "period '" + o->period + "' is not a year, quarter or month (2026-Q3)",
                      {{"period", ErrorCode::InvalidArgument, "2026-Q3"}}});
        }
        auto opened = app::Application::open(o->dir);
        if (!opened) {
            return report_error(opened.error());
        }
        auto text = service::make_package(o->dir,
                                          (*opened)->store(),
                                          (*opened)->reference(),
                                          app::Application::cli_actor(),
                                          *period,
                                          (*opened)->clock().now());
        if (!text) {
            return report_error(text.error());
        }
        if (const int rc = write_private(*text, o->out); rc != 0) {
            return rc;
        }
        std::cout << "Package of " << period->label << " written to " << o->out << ".\n";
        return 0;
    };
});

auto* review = cmd->add_subcommand(
    "review", "City: verify the province's return and list the persons it names");
data(review);
review->add_option("file", o->file, "Return file from `kapal province returns`")->required();
review->callback([&action, o] {
    action = [o] {
        auto opened = app::Application::open(o->dir);
        if (!opened) {
            return report_error(opened.error());
        }
        auto text = read_input(o->file);
        if (!text) {
            return report_error(text.error());
        }
        auto items = service::review_return(
            o->dir, (*opened)->store(), app::Application::cli_actor(), *text);
        if (!items) {
            return report_error(items.error());
        }
        std::cout << items->size()
                  << " persons also registered in another kab/kota (review each):\n";
        for (const auto& item : *items) {
            std::string others;
            for (const auto& k : item.other_kota) {
                others += (others.empty() ? "" : ",") + k;
            }
            std::cout << item.record.id.str() << "\t" << item.record.person.full_name << "\t"
                      << item.record.person.address.kelurahan_code << "\t" << others << "\n";
        }
        return 0;
    };
});
}

} // namespace kapal::cli
