#include "kapal/app/application.hpp"
#include "kapal/cli/commands.hpp"
#include "kapal/core/person_rules.hpp"
#include "kapal/service/demo_data.hpp"

#include <sys/stat.h>

#include <fstream>
#include <iostream>

namespace kapal::cli {
namespace {

struct DemoAccount {
    const char* username;
    const char* name;
    core::Role role;
    std::vector<std::string> areas;
};

/// One login per role, with fresh passwords (and a new one for admin), written to
/// DIR/demo-logins.txt (mode 0600) so that `make demo` can show them on every start. Accounts
/// that exist already are left alone. Only for demo data directories.
int make_demo_accounts(app::Application& a) {
    const std::vector<DemoAccount> accounts = {
        {"operator.utara", "Rina (TKSK Bontang Utara)", core::Role::Operator, {"64.74.01"}},
        {"operator.selatan",
         "Yusuf (Pendamping Bontang Selatan)",
         core::Role::Operator,
         {"64.74.02"}},
        {"penyalur", "Petugas penyaluran", core::Role::Penyalur, {"64.74"}},
        {"merchant", "E-Warong Loktuan", core::Role::Merchant, {"64.74"}},
        {"auditor", "Inspektorat", core::Role::Auditor, {}},
        {"viewer", "Kepala Bidang (lihat saja)", core::Role::Viewer, {"64.74"}},
    };
    const auto actor = app::Application::cli_actor();
    std::string lines =
        "# Demo logins (made-up accounts of the demo data; never use in production)\n";
    auto reset = a.users().set_password("admin", std::nullopt, actor);
    if (reset) {
        lines += "admin\tadmin\t*\t" + *reset + "\n";
    }
    for (const auto& acc : accounts) {
        auto added =
            a.users().add({acc.username, acc.name, acc.role, acc.areas, std::nullopt}, actor);
        if (!added) {
            if (added.error().code == ErrorCode::AlreadyExists) {
                continue;
            }
            return report_error(added.error());
        }
        std::string areas;
        for (const auto& c : acc.areas) {
            areas += (areas.empty() ? "" : ",") + c;
        }
        lines += std::string(acc.username) + "\t" + std::string(core::to_string(acc.role)) + "\t" +
                 (areas.empty() ? "*" : areas) + "\t" + added->generated_password + "\n";
    }
    const auto file = a.dir() / "demo-logins.txt";
    {
        std::ofstream out(file, std::ios::trunc);
        out << lines;
        if (!out.flush()) {
            return report_error({ErrorCode::Io, "cannot write " + file.string(), {}});
        }
    }
    ::chmod(file.c_str(), 0600);
    std::cout << lines;
    return 0;
}

} // namespace

void add_demo_data(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand(
        "demo-data", "Add synthetic Bontang registrants (made-up people, deterministic by seed)");

    struct Opts {
        std::string dir;
        std::size_t persons = 2000;
        std::uint64_t seed = 1;
        bool accounts = false;
    };

    auto o = std::make_shared<Opts>();
    cmd->add_option("--data", o->dir, "Data directory")->required();
    cmd->add_option("--persons", o->persons, "How many persons")->check(CLI::Range(1, 5000000));
    cmd->add_option("--seed", o->seed, "Random seed: the same seed gives the same persons");
    cmd->add_flag("--accounts",
                  o->accounts,
                  "Also make one demo login per role (new admin password too), saved in "
                  "DIR/demo-logins.txt");
    cmd->callback([&action, o] {
        action = [o] {
            auto opened = app::Application::open(o->dir);
            if (!opened) {
                return report_error(opened.error());
            }
            auto& a = **opened;
            std::vector<service::KecamatanPopulation> population;
            for (const auto& p : a.reference().population) {
                if (p.code.size() == 8 && p.code.rfind(a.reference().city_code, 0) == 0) {
                    population.push_back({p.code, p.population});
                }
            }
            service::DemoOptions options;
            options.persons = o->persons;
            options.seed = o->seed;
            // A fixed "today" keeps the output identical whatever day it runs.
            options.today = core::make_date(2026, 6, 30);
            auto persons =
                service::generate_demo_persons(options, *a.reference().kelurahan, population);
            core::IdGenerator ids(o->seed);
            const store::WriteContext ctx{"demo-data", "cli", a.clock().now(), "data demo"};
            Progress progress("demo-data");
            std::size_t created = 0;
            std::size_t unchanged = 0;
            constexpr std::size_t kBatch = 5000;
            for (std::size_t start = 0; start < persons.size(); start += kBatch) {
                std::vector<store::ImportItem> batch;
                std::vector<core::PersonId> new_ids;
                for (std::size_t i = start; i < std::min(persons.size(), start + kBatch); ++i) {
                    auto& p = persons[i];
                    auto check = service::check_person_full(p, a.reference(), options.today);
                    if (!check.ok()) {
                        return report_error({ErrorCode::Internal,
                                             "generated person " + std::to_string(i) +
                                                 " breaks the rules (a bug in the generator)",
                                             check.errors});
                    }
                    batch.push_back({p, core::kecamatan_of(p.address.kelurahan_code), false});
                    new_ids.emplace_back(ids.next(ctx.at));
                }
                auto results = a.store().import_persons(batch, new_ids, ctx);
                if (!results) {
                    return report_error(results.error());
                }
                for (const auto& r : *results) {
                    (r.action == store::ImportAction::Created ? created : unchanged)++;
                }
                progress.update(std::min(persons.size(), start + kBatch), persons.size());
            }
            progress.finish();
            std::cout << "demo-data: " << created << " persons added, " << unchanged
                      << " already present (seed " << o->seed << ").\n";
            return o->accounts ? make_demo_accounts(a) : 0;
        };
    });
}

} // namespace kapal::cli
