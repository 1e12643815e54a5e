# Sourced by scripts/demo.sh, bench/run.sh and the end-to-end tests: which
# template renders a sample paper, by the prefix of its file name.
# template_for samples/panel-x.json  ->  templates/panel-update.md ("" if none)
template_for() {
    case "$(basename "$1")" in
        cabinet-*)  echo templates/cabinet-report.md ;;
        panel-*)    echo templates/panel-update.md ;;
        scrutiny-*) echo templates/scrutiny-review.md ;;
        progress-*) echo templates/progress-report.md ;;
        committee-*) echo templates/committee-report.md ;;
        *) echo "" ;;
    esac
}
