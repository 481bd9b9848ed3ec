/**
 * What REST cannot see: causes on the server of a box portal that show up as late robots, stuck
 * processes or a search that finds nothing. Printed by `doctor` with how to check each
 * (reference/bitrix24-automation-and-domain.md §4; the site checker's tests in
 * modules/main/classes/general/site_checker.php).
 */
export interface ChecklistItem {
  title: string;
  why: string;
  howToCheck: string;
}

export const SERVER_CHECKLIST: readonly ChecklistItem[] = [
  {
    title: 'Agents run from cron, not on hits',
    why: 'On hits, robot delays, business-process timers and notifications fire only when someone opens a page: late at night and over weekends they stop, and processes get stuck.',
    howToCheck:
      'Admin: Настройки › Инструменты › Проверка системы, test «Агенты на cron» (check_bx_crontab). On the server: `crontab -u bitrix -l` shows php -f /home/bitrix/www/bitrix/modules/main/tools/cron_events.php every 1-5 minutes; main module option agents_use_crontab = Y and BX_CRONTAB_SUPPORT is defined in dbconn.php.',
  },
  {
    title: 'The search index is current',
    why: 'A stale index hides contacts, companies and deals from the search bar and the duplicate search.',
    howToCheck:
      'Admin: Настройки › Проверка системы, test check_search; if it fails, Настройки › Поиск › Переиндексация (whole site). CRM search content: crm options «Индексировать поиск».',
  },
  {
    title: 'The site checker passes',
    why: 'PHP settings, file permissions, push and pull, mail and socket connections break features without any REST-visible sign.',
    howToCheck:
      'Admin: Настройки › Инструменты › Проверка системы › «Начать тестирование»; fix every error and warning it lists.',
  },
  {
    title: 'Database tables are intact and in one charset',
    why: 'Crashed tables or a mixed charset lose data or break saving records.',
    howToCheck:
      'Admin: Проверка системы › «Проверка базы данных» (check_mysql_table_status, charset and structure tests) with its fix mode; on the server `mysqlcheck --all-databases` during a quiet hour, after a backup.',
  },
  {
    title: 'Modules are up to date',
    why: 'REST methods missing on an old box (crm.item.*, crm.stagehistory.list) make integrations and this tool fail.',
    howToCheck:
      'Admin: Обновление платформы (update server access) and Marketplace › Обновления; `b24lab` reports methods the portal lacks as errors of the check that needs them.',
  },
];
