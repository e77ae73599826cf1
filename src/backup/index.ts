export {
  type BackupCheck,
  type BackupCounts,
  type BackupManifest,
  backupSqlite,
  restoreSqlite,
  verifySqliteBackup,
} from './sqlite-backup.js';
